from django.urls import include, path

from yiyang.providers import views

app_name = "providers"
manage_patterns = [
    path("providers/new/", views.OrganisationCreateView.as_view(), name="org_create"),
    path("providers/<uuid:provider_id>/edit/", views.OrganisationEditView.as_view(), name="org_edit"),
    path(
        "providers/<uuid:provider_id>/facilities/new/",
        views.FacilityCreateView.as_view(),
        name="facility_create",
    ),
    path("facilities/<uuid:facility_id>/edit/", views.FacilityEditView.as_view(), name="facility_edit"),
    path(
        "providers/<uuid:provider_id>/contracts/new/",
        views.ContractCreateView.as_view(),
        name="contract_create",
    ),
    path("contracts/<uuid:contract_id>/edit/", views.ContractEditView.as_view(), name="contract_edit"),
    path("providers/<uuid:provider_id>/staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("staff/<uuid:staff_id>/edit/", views.StaffEditView.as_view(), name="staff_edit"),
    path(
        "staff/<uuid:staff_id>/certificates/new/",
        views.CertificateCreateView.as_view(),
        name="certificate_create",
    ),
    path(
        "staff/<uuid:staff_id>/certificates/<int:certificate_id>/edit/",
        views.CertificateEditView.as_view(),
        name="certificate_edit",
    ),
    path(
        "staff/<uuid:staff_id>/certificates/<int:certificate_id>/delete/",
        views.CertificateDeleteView.as_view(),
        name="certificate_delete",
    ),
    path("catalog/items/new/", views.ServiceItemCreateView.as_view(), name="item_create"),
    path("catalog/items/<uuid:item_id>/edit/", views.ServiceItemEditView.as_view(), name="item_edit"),
    path("catalog/items/<uuid:item_id>/active/", views.ServiceItemActiveView.as_view(), name="item_active"),
    path("catalog/subsidy/new/", views.SubsidyRuleCreateView.as_view(), name="rule_create"),
    path("catalog/subsidy/<int:rule_id>/edit/", views.SubsidyRuleEditView.as_view(), name="rule_edit"),
    path("catalog/quotas/new/", views.MonthlyQuotaCreateView.as_view(), name="quota_create"),
    path("catalog/quotas/<int:quota_id>/edit/", views.MonthlyQuotaEditView.as_view(), name="quota_edit"),
    path("catalog/prices/", views.CountyPricesView.as_view(), name="county_prices"),
]

# Mounted at ``services/``: the read pages at ``providers/`` and ``catalog/``, the edit pages under
# ``manage/`` (the same paths the read pages had when they lived in the orders app).
urlpatterns = [
    path("providers/", views.ProviderListView.as_view(), name="list"),
    path("providers/<uuid:provider_id>/", views.ProviderDetailView.as_view(), name="detail"),
    path("catalog/", views.CatalogView.as_view(), name="catalog"),
    path("manage/", include(manage_patterns)),
]
