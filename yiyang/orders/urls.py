from django.urls import path

from yiyang.orders import photos, views

app_name = "orders"
urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="list"),
    path("orders/<uuid:order_id>/", views.OrderDetailView.as_view(), name="detail"),
    path("orders/<uuid:order_id>/photos/<str:name>", photos.photo_view, name="photo"),
    path("dispatch/", views.DispatchBoardView.as_view(), name="dispatch"),
    path("dispatch/<uuid:order_id>/", views.CandidatesView.as_view(), name="candidates"),
    path("m/", views.MyOrdersView.as_view(), name="mine"),
    path("m/<uuid:order_id>/", views.ServeView.as_view(), name="serve"),
    path("family/", views.FamilyView.as_view(), name="family"),
    path("supervision/", views.SupervisionView.as_view(), name="supervision"),
    path("orders/<uuid:order_id>/complain/", views.ComplainView.as_view(), name="complain"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaints"),
    path("complaints/<uuid:complaint_id>/", views.ComplaintDetailView.as_view(), name="complaint"),
    path("settlements/", views.SettlementListView.as_view(), name="settlements"),
    path("settlements/<uuid:settlement_id>/", views.SettlementDetailView.as_view(), name="settlement"),
    path(
        "settlements/<uuid:settlement_id>/export/",
        views.SettlementExportView.as_view(),
        name="settlement_export",
    ),
    path("providers/", views.ProviderListView.as_view(), name="providers"),
    path("providers/<uuid:provider_id>/", views.ProviderDetailView.as_view(), name="provider"),
    path("catalog/", views.CatalogView.as_view(), name="catalog"),
]
