"""The load benchmark's baselines (bench/benchsite) exist only in the benchmark's own URL
configuration: production never serves them, and the benchmark serves every production URL
besides them."""

import pytest
from django.urls import Resolver404, resolve

from bench.benchsite import settings as bench_settings
from bench.benchsite import urls as bench_urls
from console import settings as production_settings
from console import urls as production_urls

BENCH_PATHS = ["/bench/bare/", "/bench/bare-db/1/"]


@pytest.mark.parametrize("path", BENCH_PATHS)
def test_production_does_not_resolve_the_baselines(path):
    assert production_settings.ROOT_URLCONF == "console.urls"
    with pytest.raises(Resolver404):
        resolve(path, urlconf="console.urls")


@pytest.mark.parametrize("path", BENCH_PATHS)
def test_production_answers_404_for_the_baselines(client, db, path):
    assert client.get(path).status_code == 404


def test_the_benchmark_serves_the_production_urls_and_the_baselines():
    assert bench_settings.ROOT_URLCONF == "bench.benchsite.urls"
    assert bench_urls.urlpatterns[2:] == production_urls.urlpatterns
    assert resolve("/bench/bare/", urlconf="bench.benchsite.urls").url_name == "bench_bare"
    assert resolve("/bench/bare-db/1/", urlconf="bench.benchsite.urls").url_name == "bench_bare_db"


@pytest.mark.urls("bench.benchsite.urls")
def test_bare_answers_ok_without_a_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/bare/")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.urls("bench.benchsite.urls")
def test_bare_db_renders_one_account_with_one_query(client, account, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"/bench/bare-db/{account.pk}/")
    assert response.status_code == 200
    assert account.sid in response.content.decode()
    assert client.get("/bench/bare-db/0/").status_code == 404
