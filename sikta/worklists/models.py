"""The worklist keeps no data of its own: what is due is read from the case, the bookings,
the surveys and the referrals (`sikta.worklists.due`)."""
