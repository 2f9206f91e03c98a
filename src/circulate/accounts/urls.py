"""Account endpoints under /api/auth/."""

from django.urls import URLPattern, URLResolver, path

from circulate.accounts.api import views

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("email/confirm/", views.EmailConfirmView.as_view(), name="email-confirm"),
    path("email/resend/", views.EmailResendView.as_view(), name="email-resend"),
    path("email/change/", views.EmailChangeView.as_view(), name="email-change"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("token/refresh/", views.TokenRefreshView.as_view(), name="token-refresh"),
    path("token/verify/", views.TokenVerifyView.as_view(), name="token-verify"),
    path("me/", views.MeView.as_view(), name="me"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
]
