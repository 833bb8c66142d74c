"""A hand-over keeps no data of its own: it writes assignments (sikta.participants) and moves
bookings (sikta.bookings)."""
