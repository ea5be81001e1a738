"""Order pages, one module per area; ``yiyang.orders.urls`` imports the modules directly."""
