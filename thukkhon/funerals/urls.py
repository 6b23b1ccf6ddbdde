from django.urls import path

from thukkhon.funerals import views

app_name = "funerals"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_create, name="case-create"),
    path("slots/", views.slots, name="slots"),
    path("reports/", views.reports, name="reports"),
    path("reports.xlsx", views.reports_xlsx, name="reports-xlsx"),
    path("reports.pdf", views.reports_pdf, name="reports-pdf"),
    path("<int:case_id>/", views.case_detail, name="case-detail"),
    path("<int:case_id>/accept/", views.case_accept, name="case-accept"),
    path("<int:case_id>/registration/", views.case_register, name="case-register"),
    path("<int:case_id>/booking/", views.booking_create, name="booking-create"),
    path("<int:case_id>/booking/<int:booking_id>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("<int:case_id>/protocol/<int:step_id>/sign/", views.step_sign, name="step-sign"),
    path("<int:case_id>/done/", views.case_done, name="case-done"),
    path("<int:case_id>/transport/", views.transport_create, name="transport-create"),
    path("<int:case_id>/rites/", views.rite_create, name="rite-create"),
    path("<int:case_id>/stream/", views.stream_set, name="stream-set"),
    path("<int:case_id>/relatives/", views.relative_add, name="relative-add"),
    path("<int:case_id>/relatives/<int:relative_id>/", views.relative_edit, name="relative-edit"),
    path("<int:case_id>/ashes/", views.ashes_create, name="ashes-create"),
    path("<int:case_id>/receipt/", views.receipt_create, name="receipt-create"),
    path("<int:case_id>/receipt.pdf", views.receipt_pdf, name="receipt-pdf"),
    path("<int:case_id>/waive/", views.fee_waive, name="fee-waive"),
    path("<int:case_id>/certificate.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("<int:case_id>/grant/", views.grant_application, name="grant-application"),
]
