from django.urls import path

from aftersales.views import reviews, surveys

app_name = "aftersales"
urlpatterns: list = [
    # reviews and surveys
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/moderate/", reviews.review_moderate, name="review_moderate"),
    path("reviews/<int:pk>/reply/", reviews.review_reply, name="review_reply"),
    path("reviews/keywords/", reviews.keyword_list, name="keyword_list"),
    path("reviews/keywords/<int:pk>/delete/", reviews.keyword_delete, name="keyword_delete"),
    path("reviews/products/", reviews.product_ratings, name="product_ratings"),
    path("surveys/", surveys.survey_results, name="survey_results"),
]
