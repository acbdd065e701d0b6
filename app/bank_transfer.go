package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// Bank transfer errors.
var (
	ErrBankAccountInvalid  = fault.New(fault.BankAccountInvalid, "bank account invalid or bank unknown")
	ErrDestinationRejected = fault.New(fault.DestinationRejected, "the bank rejected the transfer; the amount and fee were returned")
	ErrGatewayUnavailable  = fault.New(fault.Unavailable, "bank gateway unavailable")
)

// DisbursementStatus is the gateway's view of a transfer.
type DisbursementStatus string

// Disbursement statuses. Unknown means the gateway never received it.
const (
	DisbursementSuccess DisbursementStatus = "SUCCESS"
	DisbursementPending DisbursementStatus = "PENDING"
	DisbursementFailed  DisbursementStatus = "FAILED"
	DisbursementUnknown DisbursementStatus = "UNKNOWN"
)

// Disbursement is a transfer as sent to the bank gateway. Reference is the
// transaction's reffId: the gateway must treat a repeated reference as the
// same transfer.
type Disbursement struct {
	Reference   string
	BankCode    string
	Account     string
	AccountName string
	Amount      int64
	SubmittedAt time.Time
}

// DisbursementResult is what the gateway says about a disbursement.
type DisbursementResult struct {
	Status DisbursementStatus
	Reason string
}

// BankGateway moves money out to bank accounts.
type BankGateway interface {
	// InquireAccount returns the holder's name, or ErrBankAccountInvalid.
	// Any other error means the gateway could not answer.
	InquireAccount(ctx context.Context, bankCode, account string) (string, error)
	// Disburse submits a transfer; idempotent on Reference. An error means
	// the outcome is unknown: the money may be on its way.
	Disburse(ctx context.Context, d Disbursement) (DisbursementResult, error)
	// Status reports on a submitted transfer (Unknown if never received).
	Status(ctx context.Context, d Disbursement) (DisbursementResult, error)
}

// bank returns a known bank by code.
func (a *App) bank(code string) (Bank, bool) {
	for _, b := range a.cfg.Money.Banks {
		if b.Code == code {
			return b, true
		}
	}
	return Bank{}, false
}

// Banks lists the supported banks.
func (a *App) Banks() []Bank { return append([]Bank(nil), a.cfg.Money.Banks...) }

// InquireBankAccount returns the holder's name of a bank account, so that a
// customer can confirm it before transferring.
// Errors: Invalid, BankAccountInvalid, Unavailable.
func (a *App) InquireBankAccount(ctx context.Context, bankCode, account string) (string, error) {
	if _, ok := a.bank(bankCode); !ok {
		return "", ErrBankAccountInvalid
	}
	if !digitsOnly(account) || len(account) < 5 || len(account) > 20 {
		return "", fault.Invalidf("bankAccount", "must be 5 to 20 digits")
	}
	name, err := a.gateway.InquireAccount(ctx, bankCode, account)
	if errors.Is(err, ErrBankAccountInvalid) {
		return "", ErrBankAccountInvalid
	}
	if err != nil {
		a.log.WarnContext(ctx, "bank account inquiry failed", "bank", bankCode, "err", err)
		return "", ErrGatewayUnavailable
	}
	return name, nil
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// BankTransfer is a partner sending a verified customer's money to a bank
// account.
type BankTransfer struct {
	Partner      *partner.Partner
	ExternalID   string
	MobileNumber string
	BankCode     string
	BankAccount  string
	Amount       int64
	Description  string
}

// TransferToBank checks the account with the gateway, holds amount + fee,
// submits the disbursement and settles it: captured at once when the bank
// confirms, released when it refuses, left PENDING (a settlement job and the
// gateway's callback finish it) otherwise.
// Errors: Forbidden, InvalidMobile, Invalid, NotFound, AccountNotActive,
// KYCLevel, LimitExceeded, InsufficientBalance, BankAccountInvalid,
// DestinationRejected, Unavailable.
func (a *App) TransferToBank(ctx context.Context, cmd BankTransfer) (_ Moved, retErr error) {
	ctx, end := a.span(ctx, "TransferToBank")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return Moved{}, err
	}
	if err := a.cfg.Money.BankTransfer.Check(cmd.Amount); err != nil {
		return Moved{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return Moved{}, err
	}
	bank, ok := a.bank(cmd.BankCode)
	if !ok {
		return Moved{}, ErrBankAccountInvalid
	}
	// Refuse what the customer may not do before asking the bank anything.
	if _, err := a.checkSender(ctx, cmd.Partner, mobile); err != nil {
		return Moved{}, err
	}
	name, err := a.InquireBankAccount(ctx, bank.Code, cmd.BankAccount)
	if err != nil {
		return Moved{}, err
	}
	fee := a.cfg.Money.BankTransferFee
	if own, ok := cmd.Partner.BankTransferFee(); ok {
		fee = own
	}
	held, err := a.move(ctx, cmd.Partner.ID(), cmd.ExternalID, func(ctx context.Context, r Repos) (Moved, error) {
		c, err := a.sender(ctx, r, cmd.Partner, mobile)
		if err != nil {
			return Moved{}, err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), true)
		if err != nil {
			return Moved{}, err
		}
		now := a.now()
		t, err := transfer.Start(transfer.New{ID: a.ids.New(), Type: transfer.TypeBank, PartnerID: cmd.Partner.ID(),
			CustomerID: c.ID(), Counterparty: bank.Name + " " + cmd.BankAccount, Amount: cmd.Amount, Fee: fee,
			Description: cmd.Description, ExternalID: cmd.ExternalID,
			Bank: transfer.BankAccount{BankCode: bank.Code, Number: cmd.BankAccount, Name: name}}, now)
		if err != nil {
			return Moved{}, err
		}
		before := pocket.Balance()
		if err := hold(ctx, r, pocket, t); err != nil {
			return Moved{}, err
		}
		// If this process dies before it learns the outcome, the job finds
		// the transfer PENDING and finishes it: submits (idempotently) or
		// asks the gateway.
		if err := r.Jobs.SettleBankTransfer(ctx, t.ID(), now.Add(a.cfg.Money.SettleAfter)); err != nil {
			return Moved{}, err
		}
		return Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}, nil
	}, func(prev *transfer.Transaction, payer *customer.Customer) bool {
		return prev.Type() == transfer.TypeBank && prev.Amount() == cmd.Amount && payer.Mobile() == mobile &&
			prev.Bank().Number == cmd.BankAccount && prev.Bank().BankCode == bank.Code
	})
	if err != nil {
		return Moved{}, fmt.Errorf("bank transfer: %w", err)
	}
	if held.Replayed && !held.Transaction.Pending() {
		return a.bankOutcome(held)
	}
	res, err := a.gateway.Disburse(ctx, disbursement(held.Transaction))
	if err != nil {
		// The bank may have the money already: never release on an error.
		a.log.WarnContext(ctx, "disbursement outcome unknown; the settlement job will ask", "reffId", held.Transaction.ID(), "err", err)
		return held, nil
	}
	out, err := a.settle(ctx, held.Transaction.ID(), res)
	if err != nil {
		return Moved{}, err
	}
	out.BalanceBefore = held.BalanceBefore
	return a.bankOutcome(out)
}

// bankOutcome turns a settled transfer into the caller's answer: a failed
// transfer is an error (its money is back), a pending one is returned as is.
func (a *App) bankOutcome(m Moved) (Moved, error) {
	if m.Transaction.Status() == transfer.StatusFailed {
		return m, ErrDestinationRejected
	}
	return m, nil
}

func disbursement(t *transfer.Transaction) Disbursement {
	return Disbursement{Reference: t.ID(), BankCode: t.Bank().BankCode, Account: t.Bank().Number,
		AccountName: t.Bank().Name, Amount: t.Amount(), SubmittedAt: t.CreatedAt()}
}

// checkSender validates the customer outside any transaction.
func (a *App) checkSender(ctx context.Context, p *partner.Partner, mobile customer.MobileNumber) (*customer.Customer, error) {
	var c *customer.Customer
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		c, err = a.sender(ctx, r, p, mobile)
		return err
	})
	return c, err
}

// sender loads a customer who may send money out through the partner.
func (a *App) sender(ctx context.Context, r Repos, p *partner.Partner, mobile customer.MobileNumber) (*customer.Customer, error) {
	c, err := boundTo(ctx, r, p, mobile)
	if err != nil {
		return nil, err
	}
	if err := c.EnsureActive(); err != nil {
		return nil, err
	}
	if !a.limitsOf(c).CanSendOut {
		return nil, ErrKYCLevel
	}
	return c, nil
}

// settle applies a final gateway result to a pending transfer exactly once:
// SUCCESS captures amount + fee into bank settlement and fee revenue,
// FAILED releases the hold. A transfer already settled is left alone, so a
// callback delivered twice and a poll racing it change nothing.
func (a *App) settle(ctx context.Context, reffID string, res DisbursementResult) (Moved, error) {
	var out Moved
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		t, err := r.Transactions.ByID(ctx, reffID, true)
		if err != nil {
			return err
		}
		c, err := r.Customers.ByID(ctx, t.CustomerID())
		if err != nil {
			return err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), true)
		if err != nil {
			return err
		}
		out = Moved{Transaction: t, Customer: c, BalanceBefore: pocket.Balance(), BalanceAfter: pocket.Balance()}
		if !t.Pending() || (res.Status != DisbursementSuccess && res.Status != DisbursementFailed) {
			return nil
		}
		now := a.now()
		if res.Status == DisbursementFailed {
			if err := pocket.Release(t.Total()); err != nil {
				return err
			}
			if err := r.Accounts.SaveHolds(ctx, pocket); err != nil {
				return err
			}
			t.Fail(now)
			return r.Transactions.Update(ctx, t)
		}
		if err := pocket.Capture(t.Total()); err != nil {
			return err
		}
		settlement := wallet.KindBankSettlement
		if t.Type() == transfer.TypeQRIS {
			settlement = wallet.KindQRISSettlement
		}
		postings := []wallet.Posting{{AccountID: pocket.ID(), Amount: -t.Total()},
			{AccountID: wallet.SystemAccountID(settlement, ""), Amount: t.Amount()}}
		if t.Fee() > 0 {
			postings = append(postings, wallet.Posting{AccountID: wallet.SystemAccountID(wallet.KindFeeRevenue, ""), Amount: t.Fee()})
		}
		e, err := wallet.NewEntry(a.ids.New(), t.ID(), postings, now)
		if err != nil {
			return err
		}
		if err := r.Accounts.Post(ctx, e, pocket); err != nil {
			return err
		}
		t.Succeed(now)
		out.BalanceAfter = pocket.Balance()
		return r.Transactions.Update(ctx, t)
	})
	return out, err
}

// BankCallback is the gateway's signed final result (POST
// /callbacks/bank-transfer/).
type BankCallback struct {
	Partner *partner.Partner // the gateway, a CHANNEL partner
	ReffID  string
	Status  string // SUCCESS or FAILED
	Reason  string
}

// ApplyBankCallback settles a pending transfer from the gateway's callback.
// Repeats are harmless.
// Errors: Forbidden, Invalid, NotFound.
func (a *App) ApplyBankCallback(ctx context.Context, cb BankCallback) (_ *transfer.Transaction, retErr error) {
	ctx, end := a.span(ctx, "ApplyBankCallback")
	defer func() { end(retErr) }()
	if err := cb.Partner.RequireRole(partner.RoleChannel); err != nil {
		return nil, err
	}
	if !cb.Partner.BankGateway() {
		return nil, partner.ErrNotBankGateway
	}
	st := DisbursementStatus(strings.ToUpper(cb.Status))
	if st != DisbursementSuccess && st != DisbursementFailed {
		return nil, fault.Invalidf("status", "must be SUCCESS or FAILED")
	}
	var t *transfer.Transaction
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		t, err = r.Transactions.ByID(ctx, cb.ReffID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	if t.Type() != transfer.TypeBank {
		return nil, transfer.ErrNotFound
	}
	m, err := a.settle(ctx, cb.ReffID, DisbursementResult{Status: st, Reason: cb.Reason})
	return m.Transaction, err
}

// ErrStillPending tells the settlement job to ask again later.
var ErrStillPending = errors.New("bank transfer still pending")

// SettleBankTransfer is the settlement job of bank transfers and QRIS
// payments: it submits a payment the gateway or switch never received (the
// process died before), or asks for the result of a pending one, and
// settles it. ErrStillPending asks for a retry.
func (a *App) SettleBankTransfer(ctx context.Context, reffID string) (retErr error) {
	ctx, end := a.span(ctx, "SettleBankTransfer")
	defer func() { end(retErr) }()
	var t *transfer.Transaction
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		t, err = r.Transactions.ByID(ctx, reffID, false)
		return err
	})
	if errors.Is(err, transfer.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !t.Pending() {
		return nil
	}
	var res DisbursementResult
	if t.Type() == transfer.TypeQRIS {
		p := qrisPayment(t)
		res, err = a.qris.Status(ctx, p)
		if err == nil && res.Status == DisbursementUnknown {
			res, err = a.qris.Pay(ctx, p)
		}
	} else {
		d := disbursement(t)
		res, err = a.gateway.Status(ctx, d)
		if err == nil && res.Status == DisbursementUnknown {
			res, err = a.gateway.Disburse(ctx, d)
		}
	}
	if err != nil {
		return fmt.Errorf("bank gateway: %w", err)
	}
	if res.Status != DisbursementSuccess && res.Status != DisbursementFailed {
		return ErrStillPending
	}
	_, err = a.settle(ctx, reffID, res)
	return err
}
