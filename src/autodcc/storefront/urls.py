from django.urls import path

from autodcc.storefront.views import analytics, calculator, catalogue, draw, enquiry, mine, orders, recommend, testdrive

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
    path("mine/", mine.mine, name="mine"),
    path("privacy/", catalogue.privacy, name="privacy"),
    path("analytics/consent/", analytics.choice, name="analytics_consent"),
    path("analytics/collect/", analytics.collect, name="analytics_collect"),
    path("pictures/<path:name>", catalogue.picture, name="picture"),
]
