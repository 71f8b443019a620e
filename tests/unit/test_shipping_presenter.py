"""The tracking page's words ask the shipping rules (through ShipmentView) which shipments to explain."""

from __future__ import annotations

from orderhub.components import i18n
from orderhub.db.shipping import rules
from orderhub.db.shipping.queries import ShipmentView
from orderhub.site.tracking import presenter


def test_the_tracking_page_explains_every_shipment_in_trouble_and_no_other():
    i18n.set_language("en")

    def shipment(status: str, substatus: str = "", late: bool = False, stalled: bool = False) -> ShipmentView:
        return ShipmentView(1, "S1", "yamato", "ヤマト運輸", "4012", None, status, substatus, None, None, None, None,
                            None, late, stalled, None)

    for status in rules.STATUSES:
        assert (presenter.explain(shipment(status)) is not None) == rules.in_trouble(status)
    assert presenter.explain(shipment("failed_attempt", "business_closed")).title == "The carrier found the address closed"
    assert presenter.explain(shipment("failed_attempt", "recipient_unavailable")).title == "We missed you"
    assert presenter.explain(shipment("exception", "weather")).title == "Delayed by bad weather"
    assert presenter.explain(shipment("exception", "something_new")).title == "There is a problem with the delivery"
    titles = [why.title for why in presenter.problems(shipment("exception", "weather", late=True, stalled=True))]
    assert titles == ["Delayed by bad weather", "Running late", "No news from the carrier for a while"]
    view = shipment("in_transit", late=True)
    assert (view.tone, view.in_trouble, view.is_final, view.is_delivered) == ("warn", False, False, False)
