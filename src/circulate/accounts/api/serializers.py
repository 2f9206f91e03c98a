"""Input serializers (what a client may send) and output serializers (what it reads back)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from circulate.accounts import selectors
from circulate.accounts.models import OutboxMessage, User

PASSWORD_MAX_LENGTH = 1024


def password_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
        **kwargs,
    )


# --- Inputs -----------------------------------------------------------------------------


class RegisterInputSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    username = serializers.CharField(max_length=150, help_text="Letters, digits and . + - _ (no @).")
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    password = password_field(help_text="Checked by the password validators (length, common, similarity).")


class EmailTokenInputSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=2048, help_text="The `token` query parameter of the e-mailed link.")


class LoginInputSerializer(serializers.Serializer[Any]):
    login = serializers.CharField(max_length=254, required=False, help_text="E-mail address or username.")
    email = serializers.CharField(max_length=254, required=False, help_text="Same as `login`.")
    username = serializers.CharField(max_length=254, required=False, help_text="Same as `login`.")
    password = password_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        login = attrs.get("login") or attrs.get("email") or attrs.get("username")
        if not login:
            raise serializers.ValidationError({"login": ["Give your e-mail address or username."]})
        return {"login": login, "password": attrs["password"]}


class RefreshInputSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096)


class TokenVerifyInputSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=4096, help_text="An access or refresh token.")


class ProfileInputSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    username = serializers.CharField(max_length=150, required=False)
    password = password_field(required=False, help_text="Your current password; needed to change the username.")


class PasswordChangeInputSerializer(serializers.Serializer[Any]):
    old_password = password_field()
    new_password = password_field()


class PasswordResetInputSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(serializers.Serializer[Any]):
    uid = serializers.CharField(max_length=64, help_text="The `uid` query parameter of the e-mailed link.")
    token = serializers.CharField(max_length=128, help_text="The `token` query parameter of the e-mailed link.")
    new_password = password_field()


class EmailChangeInputSerializer(serializers.Serializer[Any]):
    new_email = serializers.EmailField(max_length=254)
    password = password_field(help_text="Your current password.")


# --- Outputs ----------------------------------------------------------------------------


class UserSerializer(serializers.ModelSerializer[User]):
    """The public user: never the password."""

    email_verified = serializers.BooleanField(source="is_email_verified", read_only=True)
    roles = serializers.SerializerMethodField(help_text="Staff roles held; superusers hold them all.")

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "username",
            "full_name",
            "email_verified",
            "email_verified_at",
            "roles",
            "is_staff",
            "date_joined",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, user: User) -> list[str]:
        return selectors.user_roles(user)


class TokenPairSerializer(serializers.Serializer[Any]):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(help_text="Exchange at `token/refresh/` for a new pair; works once.")


class LoginOutputSerializer(TokenPairSerializer):
    user = UserSerializer()


class VerifiedTokenSerializer(serializers.Serializer[Any]):
    token_type = serializers.CharField()
    user_id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class MessageSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class OutboxMessageSerializer(serializers.ModelSerializer[OutboxMessage]):
    to = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="To, cc and bcc addresses.")

    class Meta:
        model = OutboxMessage
        fields = ("id", "to", "from_email", "subject", "body", "html", "sent_at")
        read_only_fields = fields
