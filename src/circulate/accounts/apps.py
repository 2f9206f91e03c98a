from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "circulate.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the signals that forget kept user rows in every process (web, worker, shell).
        from circulate.accounts import authentication  # noqa: F401
