from django.urls import path

from switchboard.webhooks import views

urlpatterns = [
    path("hooks/<str:connector_id>/<str:token>", views.receive, name="inbound-webhook"),
]
