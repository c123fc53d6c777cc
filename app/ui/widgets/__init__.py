"""Small reusable widgets: headers, banners, labelled fields, date and passphrase inputs."""
