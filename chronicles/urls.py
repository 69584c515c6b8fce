from django.urls import path

from chronicles import views

app_name = "chronicles"

urlpatterns = [
    path("", views.ChronicleListView.as_view(), name="chronicle-list"),
    path("<int:year>/", views.ChronicleYearView.as_view(), name="chronicle-year"),
]
