from django.urls import path

from switchboard.webhooks import views

urlpatterns = [
    path("webhooks", views.SubscriptionListView.as_view(), name="webhooks"),
    path("webhooks/<str:id>", views.SubscriptionDetailView.as_view(), name="webhook"),
    path("webhooks/<str:id>/rotate-secret", views.SubscriptionRotateSecretView.as_view(), name="webhook-rotate"),
    path("events", views.EventListView.as_view(), name="events"),
    path("events/<str:id>", views.EventDetailView.as_view(), name="event"),
    path("events/<str:id>/replay", views.EventReplayView.as_view(), name="event-replay"),
    path("events/<str:id>/deliveries", views.EventDeliveriesView.as_view(), name="event-deliveries"),
]
