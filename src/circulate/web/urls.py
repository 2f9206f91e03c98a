"""The web console."""

from django.urls import path

from circulate.web import views

app_name = "web"
urlpatterns = [
    path("", views.landing, name="landing"),
]
