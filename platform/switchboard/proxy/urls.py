from django.urls import path

from switchboard.proxy import views

urlpatterns = [
    path("proxy", views.ProxyView.as_view(), name="proxy"),
]
