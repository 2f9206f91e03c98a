"""A tiny API used only by the core tests, to exercise the error plumbing."""

from typing import Any

from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from circulate.core.errors import DomainError


class LimitReachedError(DomainError):
    code = "limit_reached"


class _Input(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=10)
    copies = serializers.IntegerField(min_value=1)


class EchoView(APIView):
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        data = _Input(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["copies"] > 3:
            raise LimitReachedError("You may hold at most 3 copies.")
        return Response(data.validated_data, status=201)


class PrivateView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class CrashView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("boom")


urlpatterns = [
    path("api/echo/", EchoView.as_view()),
    path("api/private/", PrivateView.as_view()),
    path("api/crash/", CrashView.as_view()),
    path("", include("circulate.urls")),
]

handler404 = "circulate.core.errors.page_not_found"
handler500 = "circulate.core.errors.server_error"
