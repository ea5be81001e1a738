from django.urls import path

from yiyang.orders.views import board, cards, caregiver, complaints, family, orders, settlements, supervision
from yiyang.orders.views import ordering as order_pages
from yiyang.orders.views import photos as photo_pages

app_name = "orders"
urlpatterns = [
    path("orders/", orders.OrderListView.as_view(), name="list"),
    path("orders/export.xlsx", orders.OrderExportView.as_view(), name="export"),
    path("orders/<uuid:order_id>/", orders.OrderDetailView.as_view(), name="detail"),
    path("orders/<uuid:order_id>/print/", orders.OrderPrintView.as_view(), name="print"),
    path("orders/<uuid:order_id>/card/", cards.OrderCardView.as_view(), name="card"),
    path("orders/cards/", cards.DayCardsView.as_view(), name="cards"),
    path("orders/<uuid:order_id>/photos/<str:name>", photo_pages.photo_view, name="photo"),
    path(
        "orders/<uuid:order_id>/confirmation-code/",
        orders.ConfirmationCodeView.as_view(),
        name="confirmation_code",
    ),
    path("order/", order_pages.OrderStartView.as_view(), name="order"),
    path("order/<uuid:elder_id>/", order_pages.CartView.as_view(), name="cart"),
    path("order/batch/<uuid:batch_id>/", order_pages.BatchView.as_view(), name="batch"),
    path("order/<uuid:elder_id>/plan/", order_pages.PlanCreateView.as_view(), name="plan_new"),
    path("plans/", order_pages.PlanListView.as_view(), name="plans"),
    path("plans/<uuid:plan_id>/", order_pages.PlanDetailView.as_view(), name="plan"),
    path("dispatch/", board.DispatchBoardView.as_view(), name="dispatch"),
    path("dispatch/<uuid:order_id>/", board.CandidatesView.as_view(), name="candidates"),
    path("m/", caregiver.MyOrdersView.as_view(), name="mine"),
    path("m/<uuid:order_id>/", caregiver.ServeView.as_view(), name="serve"),
    path("family/", family.FamilyView.as_view(), name="family"),
    path("supervision/", supervision.SupervisionView.as_view(), name="supervision"),
    path("supervision/export.xlsx", supervision.SupervisionExportView.as_view(), name="supervision_export"),
    path("orders/<uuid:order_id>/complain/", complaints.ComplainView.as_view(), name="complain"),
    path("complaints/", complaints.ComplaintListView.as_view(), name="complaints"),
    path("complaints/export.xlsx", complaints.ComplaintExportView.as_view(), name="complaints_export"),
    path("complaints/<uuid:complaint_id>/", complaints.ComplaintDetailView.as_view(), name="complaint"),
    path(
        "complaints/<uuid:complaint_id>/print/",
        complaints.ComplaintPrintView.as_view(),
        name="complaint_print",
    ),
    path("settlements/", settlements.SettlementListView.as_view(), name="settlements"),
    path("settlements/<uuid:settlement_id>/", settlements.SettlementDetailView.as_view(), name="settlement"),
    path(
        "settlements/<uuid:settlement_id>/export/",
        settlements.SettlementExportView.as_view(),
        name="settlement_export",
    ),
]
