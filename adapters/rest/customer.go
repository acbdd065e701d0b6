package rest

import (
	"net/http"
	"strconv"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
)

type registerRequest struct {
	MobileNumber string `json:"mobileNumber" validate:"required,max=20"`
	FirstName    string `json:"firstName" validate:"required,max=50"`
	MiddleName   string `json:"middleName" validate:"max=50"`
	LastName     string `json:"lastName" validate:"max=50"`
	Email        string `json:"email" validate:"max=254"`
}

func (s *Server) registerCustomer(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.app.RegisterCustomer(r.Context(), app.RegisterCustomer{
		Partner: partnerFrom(r), MobileNumber: req.MobileNumber, FirstName: req.FirstName,
		MiddleName: req.MiddleName, LastName: req.LastName, Email: req.Email,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := res.Customer
	s.ok(w, r, map[string]any{
		"mobileNumber":  c.Mobile().String(),
		"firstName":     c.FirstName(),
		"middleName":    c.MiddleName(),
		"lastName":      c.LastName(),
		"accountStatus": string(c.Status()),
		"otpPurpose":    "REGISTRATION",
		"expiry":        res.OTPExpiresIn,
	})
}

func (s *Server) getOTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	mobile := q.Get("mobileNumber")
	if mobile == "" {
		s.fail(w, r, fault.Invalidf("mobileNumber", "is required"))
		return
	}
	res, err := s.app.RequestOTP(r.Context(), app.RequestOTP{Partner: partnerFrom(r), MobileNumber: mobile, Purpose: q.Get("purpose")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, r, map[string]any{"expiry": res.ExpiresIn, "purpose": string(res.Purpose)})
}

type validateOTPRequest struct {
	MobileNumber string `json:"mobileNumber" validate:"required,max=20"`
	OTP          string `json:"otp" validate:"required,len=6,numeric"`
	Purpose      string `json:"purpose" validate:"omitempty,oneof=LOGIN REGISTRATION TRANSACTION"`
}

func (s *Server) validateOTP(w http.ResponseWriter, r *http.Request) {
	var req validateOTPRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.app.ValidateOTP(r.Context(), app.ValidateOTP{
		Partner: partnerFrom(r), MobileNumber: req.MobileNumber, Code: req.OTP, Purpose: req.Purpose,
		Source: sourceAddr(r),
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{
		"mobileNumber":  res.Customer.Mobile().String(),
		"accountStatus": string(res.Customer.Status()),
		"purpose":       string(res.Purpose),
	}
	if res.Token != "" {
		data["accessToken"] = res.Token
		data["tokenType"] = "Bearer"
		data["expiresIn"] = res.ExpiresIn
	}
	s.ok(w, r, data)
}

func (s *Server) inquiry(w http.ResponseWriter, r *http.Request) {
	mobile := r.URL.Query().Get("mobileNumber")
	if mobile == "" {
		s.fail(w, r, fault.Invalidf("mobileNumber", "is required"))
		return
	}
	v, err := s.app.InquireCustomer(r.Context(), app.InquireCustomer{Partner: partnerFrom(r), MobileNumber: mobile})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, r, CustomerData(v))
}

// CustomerData is the documented Customer Inquiry shape.
func CustomerData(v app.CustomerView) map[string]any {
	c := v.Customer
	return map[string]any{
		"firstName":     c.FirstName(),
		"middleName":    c.MiddleName(),
		"lastName":      c.LastName(),
		"fullName":      c.FullName(),
		"accountType":   string(c.AccountType()),
		"accountStatus": string(c.Status()),
		"customerType":  c.CustomerType(),
		"email":         c.Email(),
		"mobileNumber":  c.Mobile().String(),
		"kycStatus":     string(c.KYCStatus()),
		"balance": map[string]any{
			"pocketId":         v.Pocket.ID(),
			"availableBalance": strconv.FormatInt(v.Pocket.Available(), 10),
		},
	}
}
