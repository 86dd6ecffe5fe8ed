"""Organization pages (see accounts/views/organizations.py)."""

urlpatterns = []
