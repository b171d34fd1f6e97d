"""Running geo_app on an office server: ``geo-app serve``, backups, the offline bundle."""
