"""The web console: one page per domain, plus the account pages that e-mail links open."""

from django.urls import path

from circulate.web import views

app_name = "web"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("confirm-email/", views.confirm_email, name="confirm-email"),
    path("reset-password/", views.reset_password, name="reset-password"),
    path("account/", views.account, name="account"),
    path("dev/outbox/", views.outbox, name="outbox"),
    path("library/", views.library, name="library"),
    path("library/relations/", views.library_relations, name="library-relations"),
]
