"""After-sales pages, one module per area (requests, complaints, knowledge base, reviews, surveys)."""
