package graph

import (
	"fmt"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/wallet"
	"github.com/dompet/wallet/graph/model"
)

// customerModel converts a customer; pocket may be nil, in which case the
// balance resolver loads it when asked for.
func customerModel(c *customer.Customer, pocket *wallet.Account) (*model.Customer, error) {
	accountType := model.AccountType(c.AccountType())
	status := model.AccountStatus(c.Status())
	kyc := model.KycStatus(c.KYCStatus())
	if !accountType.IsValid() || !status.IsValid() || !kyc.IsValid() {
		return nil, fmt.Errorf("graph: customer %s has a state the schema does not know: %s/%s/%s",
			c.ID(), c.AccountType(), c.Status(), c.KYCStatus())
	}
	return &model.Customer{
		ID:            c.ID(),
		MobileNumber:  c.Mobile().String(),
		FirstName:     c.FirstName(),
		MiddleName:    optional(c.MiddleName()),
		LastName:      optional(c.LastName()),
		FullName:      c.FullName(),
		Email:         optional(c.Email()),
		AccountType:   accountType,
		AccountStatus: status,
		CustomerType:  c.CustomerType(),
		KycStatus:     kyc,
		Pocket:        balanceModel(pocket),
	}, nil
}

func balanceModel(pocket *wallet.Account) *model.Balance {
	if pocket == nil {
		return nil
	}
	return &model.Balance{PocketID: pocket.ID(), AvailableBalance: model.Money(pocket.Available())}
}

func purposeModel(p otp.Purpose) (model.OtpPurpose, error) {
	m := model.OtpPurpose(p)
	if !m.IsValid() {
		return "", fmt.Errorf("graph: unknown OTP purpose %q", p)
	}
	return m, nil
}

// purposeInput is the optional purpose as the application takes it.
func purposeInput(p *model.OtpPurpose) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func value(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
