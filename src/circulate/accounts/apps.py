from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "circulate.accounts"
    label = "accounts"
    verbose_name = "Accounts"
