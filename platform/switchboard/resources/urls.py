from django.urls import path

from switchboard.resources import views

# Paths start with "resources" / "models/" so the connect app mounts session twins under /v1/s/.
urlpatterns = [
    path("resources/<str:model>", views.ResourceListView.as_view(), name="resources"),
    path("resources/<str:model>/<str:resource_id>", views.ResourceDetailView.as_view(), name="resource"),
    path("models/<str:model>/fields", views.ModelFieldsView.as_view(), name="model-fields"),
]
