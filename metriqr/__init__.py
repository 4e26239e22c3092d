"""MetriQR: customer segmentation (RFM), migration and recommendations from a transaction table.

This package is the analysis; it never imports Streamlit (a test checks it).
"""
