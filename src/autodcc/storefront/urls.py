from django.urls import path

from autodcc.storefront.views import assistant, calculator, catalogue, draw, enquiry, feedback, mine, orders, recommend, survey, testdrive

app_name = "store"

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("draw/<str:code>/", draw.draw_page, name="draw"),
    path("draw/<str:code>/<int:number>/", draw.round_page, name="draw_round"),
    path("series/<slug:slug>/", catalogue.series_detail, name="series"),
    path("trims/<slug:slug>/", catalogue.trim_detail, name="trim"),
    path("compare/", catalogue.compare_trims, name="compare"),
    path("calculator/", calculator.calculator, name="calculator"),
    path("recommend/", recommend.recommend, name="recommend"),
    path("testdrive/", testdrive.booking, name="booking"),
    path("testdrive/<str:token>/", testdrive.status, name="booking_status"),
    path("testdrive/<str:token>/cancel/", testdrive.cancel, name="booking_cancel"),
    path("testdrive/<str:token>/report/", testdrive.report, name="booking_report"),
    path("enquiry/", enquiry.enquiry, name="enquiry"),
    path("enquiry/thanks/", enquiry.thanks, name="enquiry_thanks"),
    path("order/new/<slug:trim_slug>/", orders.order_start, name="order_start"),
    path("order/<str:token>/", orders.order_page, name="order"),
    path("order/<str:token>/pay/", orders.order_pay, name="order_pay"),
    path("order/<str:token>/receipt/", orders.order_receipt, name="order_receipt"),
    path("order/<str:token>/refund/", orders.order_refund, name="order_refund"),
    path("order/<str:token>/feedback/", feedback.order_feedback, name="order_feedback"),
    path("feedback/", feedback.feedback, name="feedback"),
    path("feedback/thanks/", feedback.feedback_thanks, name="feedback_thanks"),
    path("feedback/c/<str:token>/", feedback.complaint_confirm, name="complaint_confirm"),
    path("mine/", mine.mine, name="mine"),
    path("survey/<str:token>/", survey.survey_page, name="survey"),
    path("assistant/", assistant.chat, name="assistant"),
    path("assistant/log/", assistant.log, name="assistant_log"),
    path("privacy/", catalogue.privacy, name="privacy"),
    path("pictures/<path:name>", catalogue.picture, name="picture"),
]
