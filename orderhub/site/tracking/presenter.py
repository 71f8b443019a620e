"""Words for the tracking page: a plain-language line per status and substatus, and for problems
what happens now and what the shopper can do. Decisions (which statuses are final, in trouble, their
tone) come from db/shipping/rules through the views' properties; this module only words them."""

from __future__ import annotations

from dataclasses import dataclass

from orderhub.components.i18n import gettext as _
from orderhub.db.shipping.queries import ShipmentView


def status_label(status: str) -> str:
    return {
        "pending": _("Waiting for the carrier"),
        "info_received": _("Label created"),
        "in_transit": _("On its way"),
        "out_for_delivery": _("Out for delivery"),
        "failed_attempt": _("Delivery attempted"),
        "available_for_pickup": _("Ready to collect"),
        "delivered": _("Delivered"),
        "exception": _("Delivery problem"),
        "returned_to_sender": _("Returning to us"),
        "expired": _("No longer tracked"),
    }.get(status, status)


def event_text(status: str, substatus: str) -> str:
    """One plain sentence for a timeline entry (the carrier's own words are shown beside it)."""
    by_sub = {
        "weather": _("Bad weather is slowing deliveries in the area."),
        "customs_hold": _("The parcel is being checked by customs."),
        "address_issue": _("The carrier could not match the delivery address."),
        "damaged": _("The parcel was damaged in transit."),
        "lost": _("The carrier cannot find the parcel."),
        "refused": _("Delivery was refused."),
        "recipient_unavailable": _("Nobody was available to receive the parcel."),
        "delivered_to_locker": _("Delivered to a parcel locker."),
        "delivered_to_neighbour": _("Delivered to a neighbour."),
        "delivered_to_reception": _("Delivered to the reception or building manager."),
        "delayed": _("The parcel is delayed."),
        "held_at_facility": _("The parcel is being held at a carrier facility."),
        "business_closed": _("The address was closed when the carrier came."),
        "signed": _("Delivered and signed for."),
    }
    if substatus in by_sub:
        return by_sub[substatus]
    return {
        "pending": _("We're waiting for the carrier's first scan."),
        "info_received": _("The label is printed; the carrier has the parcel's details."),
        "in_transit": _("The parcel is moving through the carrier's network."),
        "out_for_delivery": _("The parcel is on the delivery vehicle and should arrive today."),
        "failed_attempt": _("The carrier tried to deliver the parcel."),
        "available_for_pickup": _("The parcel is waiting for you at a pickup point."),
        "delivered": _("The parcel was delivered."),
        "exception": _("Something unexpected happened to the parcel."),
        "returned_to_sender": _("The parcel is on its way back to us."),
        "expired": _("The carrier stopped reporting on this parcel."),
    }.get(status, "")


@dataclass(frozen=True)
class Explanation:
    title: str
    now: str
    you: str


def explain(shipment: ShipmentView) -> Explanation | None:
    """For a shipment in trouble: what happened, what happens now, what the shopper can do."""
    if not shipment.in_trouble:
        return None
    status, substatus = shipment.status, shipment.substatus
    contact = _("If you have questions, contact us using the details at the bottom of this page.")
    by_status = {
        "failed_attempt": {
            "business_closed": (_("The carrier found the address closed"),
                                _("The carrier will try again on the next business day."),
                                _("Make sure someone can receive the parcel, or arrange a redelivery on the carrier's page.")),
            "": (_("We missed you"),
                 _("The carrier will try again, usually on the next business day, and may leave a notice."),
                 _("Choose a redelivery time or a pickup point on the carrier's tracking page.")),
        },
        "returned_to_sender": {
            "": (_("The parcel is coming back to us"),
                 _("When it arrives we will contact you to resend it or refund you."),
                 contact),
        },
        "expired": {
            "": (_("The carrier stopped tracking this parcel"),
                 _("We have been told and are checking with the carrier."),
                 contact),
        },
        "exception": {
            "weather": (_("Delayed by bad weather"),
                        _("The carrier will deliver as soon as it is safe; the estimate below is the carrier's latest."),
                        _("Nothing: the parcel will continue on its own.")),
            "customs_hold": (_("Held at customs"),
                             _("Customs checks usually take a few business days. The carrier may contact you about duties."),
                             _("Watch for a message from the carrier and answer it promptly.")),
            "address_issue": (_("The address needs checking"),
                              _("The carrier is holding the parcel until the address is confirmed."),
                              _("Contact us to confirm or correct your address.")),
            "damaged": (_("The parcel was damaged"),
                        _("We will send a replacement or refund you once the carrier confirms."),
                        _("Nothing yet: we will contact you. If it arrives damaged, keep the packaging.")),
            "lost": (_("The parcel is lost"),
                     _("We have opened a claim with the carrier and will send a replacement or refund you."),
                     contact),
            "refused": (_("The parcel was refused"),
                        _("It will come back to us, and we will refund you when it arrives."),
                        contact),
            "recipient_unavailable": (_("Nobody was available"),
                                      _("The carrier will try again or hold the parcel for collection."),
                                      _("Arrange a redelivery on the carrier's tracking page.")),
            "delayed": (_("The parcel is delayed"),
                        _("It is still on its way; the estimate below is the carrier's latest."),
                        _("Nothing: the parcel will continue on its own.")),
        },
    }
    words = by_status.get(status, {})
    title, now, you = words.get(substatus) or words.get("") or (
        _("There is a problem with the delivery"),
        _("The carrier is working on it and we are keeping an eye on it."),
        contact)
    return Explanation(title, now, you)


def problems(shipment: ShipmentView) -> list[Explanation]:
    """Everything to explain about a shipment, most specific first: its trouble, lateness, silence."""
    found = [explain(shipment), late_text() if shipment.late else None, stalled_text() if shipment.stalled else None]
    return [why for why in found if why is not None]


def stalled_text() -> Explanation:
    return Explanation(
        _("No news from the carrier for a while"),
        _("The carrier has not scanned the parcel for several business days. We have been alerted and are checking with them."),
        _("No need to do anything. If it still hasn't moved in two days, contact us and we'll make it right."))


def late_text() -> Explanation:
    return Explanation(
        _("Running late"),
        _("The delivery date has passed and the parcel has not arrived yet. Most late parcels arrive within two business days."),
        _("If it hasn't arrived in two business days, contact us and we'll make it right."))
