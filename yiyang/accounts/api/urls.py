from django.urls import path

from yiyang.accounts.api.views import LogoutView, MeView, TokenDetailView, TokenListView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/tokens/", TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<uuid:id>/", TokenDetailView.as_view(), name="auth-token-detail"),
]
