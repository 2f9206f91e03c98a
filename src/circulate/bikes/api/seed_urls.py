"""Seed 002's account routes under /api/users/ and /api/token/: the accounts views under other names."""

from django.urls import URLPattern, URLResolver, path

from circulate.accounts.api import views as accounts
from circulate.bikes.api.views import ProfileView

app_name = "seed002"
urlpatterns: list[URLPattern | URLResolver] = [
    path("users/register/", accounts.RegisterView.as_view(), name="register"),
    path("users/login/", accounts.LoginView.as_view(), name="login"),
    path("users/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("users/profile/", ProfileView.as_view(), name="profile"),
    path("token/", accounts.LoginView.as_view(), name="token"),
]
