"""The admin's pages as tests reach them, and their forms posted back as a browser would."""

from django.urls import reverse

CHANGELIST = "admin:accounts_account_changelist"


def change_url(account):
    return reverse("admin:accounts_account_change", args=[account.pk])


def form_data(form):
    """What a browser would post back for an unchanged (bound or unbound) form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def change_form_data(response):
    """The POST data of an admin change page as rendered, inlines included."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.initial_forms:
            data.update(form_data(form))
    return data
