package app

import "github.com/google/wire"

// ProviderSet provides the application and the notification courier.
var ProviderSet = wire.NewSet(New, NewCourier, NewKYCReviewer, NewWebhooks, NewBackoffice)
