"""The territory's own work: bringing its communes in (import of boundaries by INSEE code), and later its calls for applications and its dashboard."""
