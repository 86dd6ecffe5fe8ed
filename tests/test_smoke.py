def test_sign_in_page_answers(client):
    response = client.get("/signin/")
    assert response.status_code == 200
    assert b"Sign in" in response.content
