"""The search portal (Søkeportal): case workers log in with ID-porten and use their roles in a browser."""
