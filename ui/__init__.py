"""The only Streamlit-aware helpers: session state, query parameters, cached calls, the error boundary."""
