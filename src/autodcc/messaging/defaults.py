"""The default Chinese text of each event's SMS (HQ marketing edits them in the console; when no
template is active in the database these are used, so a message is never lost for want of one)."""

DEFAULTS = [
    ("booking_confirmation", "sms", "{name}您好，您已预约{time}在{dealer}（{address}）试驾{model}，预约号{booking_no}。如需改期请致电门店。"),
    ("testdrive_reminder", "sms", "{name}您好，提醒您{time}在{dealer}（{address}）试驾{model}，期待您的光临。"),
    ("order_confirmation", "sms", "{name}您好，您的{model}订单{order_no}已支付意向金{amount}元，{dealer}将尽快与您联系。"),
    ("payment_reminder", "sms", "{name}您好，订单{order_no}尚待支付{amount}元，请于{deadline}前完成支付。"),
    ("visit_confirmation", "sms", "{name}您好，已为您预约{time}到访{dealer}（{address}），接待顾问{consultant}。"),
    ("receipt_reminder", "sms", "{name}您好，您的订单{order_no}已在{dealer}交车，请在订单页确认收货。"),
    ("maintenance_reminder", "sms", "{name}您好，您的爱车{plate}将于{due_date}到期保养，{dealer}为您准备了{offer}。回TD退订"),
    ("campaign", "sms", "{name}您好，{campaign}：{content}（{dealer}）回TD退订"),
    ("lead_assigned", "sms", "{staff}，您有新线索：{customer}（{channel}），请在{due}前首次联系。"),
    ("sla_escalation", "sms", "{staff}，{agent}的线索{customer}已超时{minutes}分钟未首次联系，请跟进。"),
    ("daily_report", "sms", "{staff}，{dealer}{date}日报：{summary}"),
]
