from django.urls import path

from switchboard.connect import pages

urlpatterns = [
    path("connect/<str:token>", pages.connect_page, name="connect-page"),
    path("oauth/callback", pages.oauth_callback, name="oauth-callback"),
]
