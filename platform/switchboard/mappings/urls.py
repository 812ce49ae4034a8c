from django.urls import path

from switchboard.mappings import views

urlpatterns = [
    path("field-mappings", views.FieldMappingListView.as_view(), name="field-mappings"),
    path("field-mappings/<str:mapping_id>", views.FieldMappingDetailView.as_view(), name="field-mapping"),
    path("custom-models", views.CustomModelListView.as_view(), name="custom-models"),
    path("custom-models/<str:name>", views.CustomModelDetailView.as_view(), name="custom-model"),
]
