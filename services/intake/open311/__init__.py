"""Open311 GeoReport v2 on intake (DESIGN §7): the categories as services, orders as requests."""
