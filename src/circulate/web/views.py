"""Console pages. They only render templates; data comes from the public API."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "web/landing.html")
