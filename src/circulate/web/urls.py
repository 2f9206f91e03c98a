"""The web console: one page per domain, plus the account pages that e-mail links open."""

from django.urls import path

from circulate.web.views import ConsolePage, LandingPage, OutboxPage

app_name = "web"
urlpatterns = [
    path("", LandingPage.as_view(), name="landing"),
    path("sign-in/", ConsolePage.as_view(template_name="web/sign_in.html"), name="sign-in"),
    path("sign-up/", ConsolePage.as_view(template_name="web/sign_up.html"), name="sign-up"),
    path("sign-out/", ConsolePage.as_view(template_name="web/sign_out.html"), name="sign-out"),
    # The target of the link in the confirmation e-mail (?token=...).
    path("confirm-email/", ConsolePage.as_view(template_name="web/confirm_email.html"), name="confirm-email"),
    # Asks for a reset link, or sets the new password when opened from one (?uid=...&token=...).
    path("reset-password/", ConsolePage.as_view(template_name="web/reset_password.html"), name="reset-password"),
    path("account/", ConsolePage.as_view(template_name="web/account.html"), name="account"),
    path("dev/outbox/", OutboxPage.as_view(), name="outbox"),
    path("library/", ConsolePage.as_view(template_name="web/library.html"), name="library"),
    path("bikes/", ConsolePage.as_view(template_name="web/bikes.html"), name="bikes"),
    path("audit/", ConsolePage.as_view(template_name="web/audit.html"), name="audit"),
    path("partners/", ConsolePage.as_view(template_name="web/partners.html"), name="partners"),
    path("dealership/", ConsolePage.as_view(template_name="web/dealership.html"), name="dealership"),
    path(
        "library/relations/",
        ConsolePage.as_view(template_name="web/library_relations.html"),
        name="library-relations",
    ),
]
