"""The default Chinese text of each event's SMS (HQ marketing edits them in the console; when no
template is active in the database these are used, so a message is never lost for want of one)."""

DEFAULTS = [
    ("booking_confirmation", "sms", "{name}您好，您已预约{time}在{dealer}（{address}）试驾{model}，预约号{booking_no}。查看或取消：{link}"),
    ("testdrive_reminder", "sms", "{name}您好，提醒您{time}在{dealer}（{address}）试驾{model}，期待您的光临。"),
    ("order_confirmation", "sms", "{name}您好，您的{model}订单{order_no}已支付意向金{amount}元，{dealer}将尽快与您联系。查看订单：{link}"),
    ("payment_reminder", "sms", "{name}您好，订单{order_no}尚待支付{amount}元，请于{deadline}前完成支付：{link}"),
    ("visit_confirmation", "sms", "{name}您好，已为您预约{time}到访{dealer}（{address}），联系人{consultant}。"),
    ("receipt_reminder", "sms", "{name}您好，您的订单{order_no}已在{dealer}交车，请在订单页确认收货：{link}"),
    ("maintenance_reminder", "sms", "{name}您好，您的爱车{plate}将于{due_date}到期保养，{dealer}为您准备了{offer}。回TD退订"),
    ("maintenance_reminder", "wechat", "{name}您好，您的爱车{plate}将于{due_date}到期保养，{dealer}为您准备了{offer}。"),
    ("survey_invitation", "sms", "{name}您好，感谢您选择{dealer}。请花一分钟为我们的服务打分：{link}"),
    ("campaign", "sms", "{name}您好，{campaign}：{content}（{dealer}）回TD退订"),
    ("campaign", "wechat", "{name}您好，{campaign}：{content}（{dealer}）"),
    ("lead_assigned", "sms", "{staff}，您有新线索：{customer}（{channel}），请在{due}前首次联系。"),
    ("sla_escalation", "sms", "{staff}，{agent}的线索{customer}已超时{minutes}分钟未首次联系，请跟进。"),
    ("daily_report", "sms", "{staff}，{dealer}{date}日报：{summary}"),
    ("lead_handover", "sms", "{staff}，{by}已将客户{customer}移交给您（{time}）。{note} 查看：{link}"),
    ("defeat_rejected", "sms", "{staff}，{manager}驳回了线索{customer}的战败申请：{note} 请继续跟进：{link}"),
    ("refund_approved", "sms", "{name}您好，订单{order_no}的意向金{amount}元退款已审核通过，将原路退回。查看订单：{link}"),
    ("verification_code", "sms", "您的验证码是{code}，{minutes}分钟内有效，用于查看您的订单和试驾预约。如非本人操作请忽略。"),
    ("complaint_new", "sms", "{staff}，新的客户反馈{number}（{category}，{customer}），请在{due}前首次回复。查看：{link}"),
    ("complaint_escalation", "sms", "{staff}，客户反馈{number}（{category}，{handler}）已超时，升级至{level}，请督办：{link}"),
    ("complaint_resolved", "sms", "{name}您好，您的反馈{number}已处理。请在{days}天内确认处理结果，或告诉我们仍未解决：{link}"),
    ("testdrive_booked", "sms", "{staff}，您跟进的客户{customer}预约了{time}试驾{model}（预约号{booking_no}，{by}）。查看：{link}"),
    ("first_n_won", "sms", "{name}您好，恭喜您获得{campaign}试驾礼品{gift}（第{rank}名）！请填写或确认收货地址：{link}"),
    ("first_n_shipped", "sms", "{name}您好，您的试驾礼品{gift}已寄出，{carrier}运单号{tracking_no}。查看：{link}"),
    ("testdrive_report", "sms", "{name}您好，感谢您在{dealer}试驾{model}（预约号{booking_no}）。请花两分钟填写试驾报告，告诉我们您的感受：{link}"),
    ("refund_requested", "sms", "{staff}，客户申请退还订单{order_no}的意向金{amount}元（原因：{reason}），请尽快确认或说明拒绝理由：{link}"),
    ("refund_declined", "sms", "{name}您好，很抱歉，订单{order_no}的意向金{amount}元退款申请未获通过，原因：{reason}。如有疑问请联系门店或客服。查看订单：{link}"),
    ("refund_paid", "sms", "{name}您好，订单{order_no}的意向金{amount}元已原路退回，请注意查收。查看订单：{link}"),
]

# earlier default wordings: a template still word for word the old default is brought up to date
SUPERSEDED = {
    ("payment_reminder", "sms"): "{name}您好，订单{order_no}尚待支付{amount}元，请于{deadline}前完成支付。",  # now with the order's link
    ("visit_confirmation", "sms"): "{name}您好，已为您预约{time}到访{dealer}（{address}），接待顾问{consultant}。",  # the DCC agent is the contact, not a showroom consultant
    ("booking_confirmation", "sms"): "{name}您好，您已预约{time}在{dealer}（{address}）试驾{model}，预约号{booking_no}。如需改期请致电门店。",
    ("order_confirmation", "sms"): "{name}您好，您的{model}订单{order_no}已支付意向金{amount}元，{dealer}将尽快与您联系。",
    ("receipt_reminder", "sms"): "{name}您好，您的订单{order_no}已在{dealer}交车，请在订单页确认收货。",  # now with the order's link
}


def load(apps, schema_editor) -> None:  # a migration's RunPython
    """Create the default template of every event that has none (migrations call this)."""
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for event, channel, body in DEFAULTS:
        if not MessageTemplate.objects.filter(event=event, channel=channel).exists():
            MessageTemplate.objects.create(event=event, channel=channel, body=body, is_active=True)
        old = SUPERSEDED.get((event, channel))
        if old is not None:
            MessageTemplate.objects.filter(event=event, channel=channel, body=old).update(body=body)
