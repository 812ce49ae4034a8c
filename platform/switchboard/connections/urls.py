from django.urls import path

from switchboard.connections import views

urlpatterns = [
    path("connectors", views.ConnectorListView.as_view(), name="connectors"),
    path("connectors/<str:connector_id>", views.ConnectorDetailView.as_view(), name="connector"),
    path("connections/<str:connector_id>/<str:owner_id>", views.ConnectionView.as_view(), name="connection"),
    path("connections/<str:connector_id>/<str:owner_id>/authorization", views.AuthorizationView.as_view(),
         name="connection-authorization"),
]
