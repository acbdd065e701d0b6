package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/app"
)

// ---- transfers to bank accounts ----

const (
	banksQuery             = `{ banks { bankCode bankName virtualAccount } }`
	bankAccountInquiryText = `query($bank: String!, $account: String!) {
	bankAccountInquiry(bankCode: $bank, accountNumber: $account) { bankCode bankName accountNumber accountName }
}`
	bankResultFields = `transaction { ` + transactionFields + ` } bankCode bankName bankAccount bankAccountName
	serviceFee amount totalAmount balanceBefore balanceAfter status inProcess`
	transferToBankMutation = `mutation($input: TransferToBankInput!) { transferToBank(input: $input) { ` + bankResultFields + ` } }`
	bankTransferMutation   = `mutation($input: BankTransferInput!) { bankTransfer(input: $input) { ` + bankResultFields + ` } }`
)

type bankResultData struct {
	Transaction     transactionData `json:"transaction"`
	BankCode        string          `json:"bankCode"`
	BankName        string          `json:"bankName"`
	BankAccount     string          `json:"bankAccount"`
	BankAccountName string          `json:"bankAccountName"`
	ServiceFee      string          `json:"serviceFee"`
	Amount          string          `json:"amount"`
	TotalAmount     string          `json:"totalAmount"`
	BalanceBefore   *string         `json:"balanceBefore"`
	BalanceAfter    *string         `json:"balanceAfter"`
	Status          string          `json:"status"`
	InProcess       bool            `json:"inProcess"`
}

// verify submits KYC for a logged-in customer through GraphQL and approves
// it in the back office.
func (f *fixture) verify(who as, mobile string) {
	f.t.Helper()
	f.post(who, submitKycMutation, map[string]any{"input": map[string]any{
		"nik": "3171011505900001", "fullName": "Budi Santoso", "birthDate": "1990-05-15",
	}}).decode(f.t, &struct{}{})
	if _, err := f.app.DecideKYC(context.Background(), mobile, true, ""); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) transferToBank(who as, account, amount string) response {
	f.t.Helper()
	return f.post(who, transferToBankMutation, map[string]any{"input": map[string]any{
		"bankCode": "014", "bankAccount": account, "amount": amount, "description": "sewa",
	}})
}

func (r response) bankResult(t *testing.T, field string) bankResultData {
	t.Helper()
	var out map[string]bankResultData
	r.decode(t, &out)
	return out[field]
}

// extension reads one extension of the response's only error.
func (r response) extension(t *testing.T, key string) any {
	t.Helper()
	var out struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.raw), &out); err != nil || len(out.Errors) != 1 {
		t.Fatalf("want one error: %v: %s", err, r.raw)
	}
	return out.Errors[0].Extensions[key]
}

func (f *fixture) transaction(who as, reffID string) transactionData {
	f.t.Helper()
	var out struct {
		Transaction transactionData `json:"transaction"`
	}
	f.post(who, transactionQuery, map[string]any{"id": reffID}).decode(f.t, &out)
	return out.Transaction
}

// syncClock moves the fixture clock to the wall clock plus ahead. The
// simulator settles a pending transfer Delay after its submission time (the
// fixture clock, frozen) by the wall clock: ahead keeps a transfer pending
// however slow the test runs, until the test sleeps past it.
func (f *fixture) syncClock(ahead time.Duration) {
	f.clock.Advance(time.Since(f.clock.Now()) + ahead)
}

// ---- tests ----

func TestBanksAndBankAccountInquiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	customer := as{partner: &p, token: f.login(&p, "081234567831")}

	// Any level reads the banks, a frontend included.
	var banks struct {
		Banks []struct {
			BankCode       string `json:"bankCode"`
			BankName       string `json:"bankName"`
			VirtualAccount bool   `json:"virtualAccount"`
		} `json:"banks"`
	}
	f.post(as{partner: &p}, banksQuery, nil).decode(t, &banks)
	if len(banks.Banks) < 9 {
		t.Fatalf("banks = %+v", banks.Banks)
	}
	found := map[string]bool{}
	for _, b := range banks.Banks {
		switch b.BankCode {
		case "014":
			found[b.BankCode] = b.BankName == "Bank Central Asia (BCA)" && b.VirtualAccount
		case "011":
			found[b.BankCode] = b.BankName == "Bank Danamon" && !b.VirtualAccount
		}
	}
	if !found["014"] || !found["011"] {
		t.Fatalf("banks = %+v, want BCA with VAs and Danamon without", banks.Banks)
	}

	want, err := bankgw.NewSimulator(0).InquireAccount(context.Background(), "014", "1234567890")
	if err != nil {
		t.Fatal(err)
	}
	type accountData struct {
		BankCode      string `json:"bankCode"`
		BankName      string `json:"bankName"`
		AccountNumber string `json:"accountNumber"`
		AccountName   string `json:"accountName"`
	}
	var inquiry struct {
		BankAccountInquiry accountData `json:"bankAccountInquiry"`
	}
	vars := map[string]any{"bank": "014", "account": "1234567890"}
	// The customer level (a frontend showing the name before confirming)
	// and the signed level may ask.
	for _, who := range []as{customer, {partner: &p, sign: true}} {
		f.post(who, bankAccountInquiryText, vars).decode(t, &inquiry)
		if got := inquiry.BankAccountInquiry; got != (accountData{"014", "Bank Central Asia (BCA)", "1234567890", want}) {
			t.Fatalf("bankAccountInquiry = %+v, want holder %q", got, want)
		}
	}

	tests := []struct {
		name    string
		who     as
		bank    string
		account string
		status  int
		code    string
		legacy  int
		msg     string
	}{
		{"an unknown account is 70", customer, "014", "1234560000", http.StatusOK, "BANK_ACCOUNT_INVALID", 70, ""},
		{"an unknown bank is 70", customer, "999", "1234567890", http.StatusOK, "BANK_ACCOUNT_INVALID", 70, ""},
		{"a gateway outage is 90", customer, "014", "1234566666", http.StatusOK, "DEPENDENCY_UNAVAILABLE", 90, ""},
		{"a bad number is 10 naming the argument", customer, "014", "12ab", http.StatusOK, "INVALID_REQUEST", 10, "accountNumber"},
		{"a frontend alone is 20", as{partner: &p}, "014", "1234567890", http.StatusOK, "UNAUTHENTICATED", 20, "Authorization"},
		{"a CHANNEL is 21", as{partner: &bca, sign: true}, "014", "1234567890", http.StatusOK, "FORBIDDEN", 21, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := f.post(tc.who, bankAccountInquiryText, map[string]any{"bank": tc.bank, "account": tc.account}).
				wantError(t, tc.status, tc.code, tc.legacy)
			if tc.msg != "" && !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tc.msg)
			}
		})
	}
}

func TestCustomerTransfersToBank(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	const mobile = "081234567841"
	customer := as{partner: &p, token: f.login(&p, mobile)}
	f.topUp(&bca, mobile, "1000000", "BCA-B1")

	// Unverified: refused before the bank is asked.
	f.transferToBank(customer, "1234567890", "100000").wantError(t, http.StatusOK, "KYC_LEVEL_NOT_ALLOWED", 52)
	f.verify(customer, "6281234567841")

	// Refusals that take nothing.
	f.transferToBank(customer, "1234566666", "100000").wantError(t, http.StatusOK, "DEPENDENCY_UNAVAILABLE", 90)
	f.transferToBank(customer, "1234560000", "100000").wantError(t, http.StatusOK, "BANK_ACCOUNT_INVALID", 70)
	f.transferToBank(customer, "1234567890", "1000000").wantError(t, http.StatusOK, "INSUFFICIENT_BALANCE", 50)
	if e := f.transferToBank(customer, "12ab", "100000").wantError(t, http.StatusOK, "INVALID_REQUEST", 10); !strings.Contains(e.Message, "bankAccount") {
		t.Errorf("message %q does not name bankAccount", e.Message)
	}
	f.transferToBank(as{partner: &p}, "1234567890", "100000").wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	if got := f.balance(customer); got != "1000000" {
		t.Fatalf("balance after refusals = %s, want 1000000", got)
	}

	// Immediate success: amount + fee taken.
	holder, err := bankgw.NewSimulator(0).InquireAccount(context.Background(), "014", "1234567890")
	if err != nil {
		t.Fatal(err)
	}
	r := f.transferToBank(customer, "1234567890", "100000").bankResult(t, "transferToBank")
	tx := r.Transaction
	if r.Status != "SUCCESS" || r.InProcess || r.BankCode != "014" || r.BankName != "Bank Central Asia (BCA)" ||
		r.BankAccount != "1234567890" || r.BankAccountName != holder || r.ServiceFee != "2500" || r.Amount != "100000" ||
		r.TotalAmount != "102500" || deref(r.BalanceBefore) != "1000000" || deref(r.BalanceAfter) != "897500" {
		t.Fatalf("transferToBank = %+v", r)
	}
	if tx.ReffID == "" || tx.Type != "BANK_TRANSFER" || tx.Status != "SUCCESS" || deref(tx.Direction) != "OUT" ||
		tx.TotalAmount != "102500" || deref(tx.BalanceAfter) != "897500" || deref(tx.Description) != "sewa" ||
		!strings.Contains(deref(tx.Counterparty), "1234567890") {
		t.Fatalf("transferToBank transaction = %+v", tx)
	}
	wantWIB(t, tx.Date)
	if got := f.balance(customer); got != "897500" {
		t.Fatalf("balance = %s, want 897500", got)
	}

	// Rejected by the bank: the error names the failed transaction, and
	// the money is back.
	rejected := f.transferToBank(customer, "1234567777", "100000")
	rejected.wantError(t, http.StatusOK, "DESTINATION_REJECTED", 72)
	reffID, _ := rejected.extension(t, "reffId").(string)
	if reffID == "" {
		t.Fatalf("no reffId in the rejection: %s", rejected.raw)
	}
	if got := f.transaction(customer, reffID); got.Status != "FAILED" || got.Type != "BANK_TRANSFER" {
		t.Fatalf("rejected transaction = %+v", got)
	}
	if got := f.balance(customer); got != "897500" {
		t.Fatalf("balance after rejection = %s, want 897500", got)
	}

	// Pending: held meanwhile, settled by the job once the bank confirms.
	f.syncClock(500 * time.Millisecond)
	r = f.transferToBank(customer, "1234569999", "50000").bankResult(t, "transferToBank")
	if r.Status != "PENDING" || !r.InProcess || r.Transaction.Status != "PENDING" || r.TotalAmount != "52500" {
		t.Fatalf("pending transferToBank = %+v", r)
	}
	pending := r.Transaction.ReffID
	if got := f.balance(customer); got != "845000" {
		t.Fatalf("available while pending = %s, want 845000", got)
	}
	if err := f.app.SettleBankTransfer(context.Background(), pending); !errors.Is(err, app.ErrStillPending) {
		t.Fatalf("settling before the bank confirmed: %v, want ErrStillPending", err)
	}
	time.Sleep(time.Until(f.clock.Now().Add(50 * time.Millisecond)))
	if err := f.app.SettleBankTransfer(context.Background(), pending); err != nil {
		t.Fatal(err)
	}
	if got := f.transaction(customer, pending); got.Status != "SUCCESS" {
		t.Fatalf("settled transaction = %+v", got)
	}
	if got := f.balance(customer); got != "845000" {
		t.Fatalf("balance after settlement = %s, want 845000", got)
	}

	// Pending, then refused: the hold comes back.
	f.syncClock(500 * time.Millisecond)
	r = f.transferToBank(customer, "1234568888", "40000").bankResult(t, "transferToBank")
	if r.Status != "PENDING" || !r.InProcess {
		t.Fatalf("pending transferToBank = %+v", r)
	}
	time.Sleep(time.Until(f.clock.Now().Add(50 * time.Millisecond)))
	if err := f.app.SettleBankTransfer(context.Background(), r.Transaction.ReffID); err != nil {
		t.Fatal(err)
	}
	if got := f.transaction(customer, r.Transaction.ReffID); got.Status != "FAILED" {
		t.Fatalf("refused transaction = %+v", got)
	}
	if got := f.balance(customer); got != "845000" {
		t.Fatalf("balance after the refusal = %s, want 845000", got)
	}

	// History filters by the new type.
	page := f.myTransactions(customer, map[string]any{"type": "BANK_TRANSFER"})
	if len(page.Edges) != 4 {
		t.Fatalf("BANK_TRANSFER history has %d transfers, want 4: %+v", len(page.Edges), page)
	}
	for _, e := range page.Edges {
		if e.Node.Type != "BANK_TRANSFER" || deref(e.Node.Direction) != "OUT" {
			t.Fatalf("history node = %+v", e.Node)
		}
	}
}

func TestSignedPartnerTransfersToBank(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	other := f.partner("kurir")
	bca := f.partnerAs("BCA", "CHANNEL")
	const mobile = "081234567851"
	customer := as{partner: &p, token: f.login(&p, mobile)}
	f.topUp(&bca, mobile, "500000", "BCA-B2")
	signed := as{partner: &p, sign: true, key: "payout-7"}
	send := func(who as, account string) response {
		return f.post(who, bankTransferMutation, map[string]any{"input": map[string]any{
			"mobileNumber": mobile, "bankCode": "008", "bankAccount": account, "amount": "200000",
		}})
	}

	send(as{partner: &p, sign: true}, "1234567890").wantError(t, http.StatusOK, "KYC_LEVEL_NOT_ALLOWED", 52)
	f.verify(customer, "6281234567851")

	send(as{partner: &p, sign: true}, "1234566666").wantError(t, http.StatusOK, "DEPENDENCY_UNAVAILABLE", 90)
	send(customer, "1234567890").wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	send(as{partner: &bca, sign: true}, "1234567890").wantError(t, http.StatusOK, "FORBIDDEN", 21)
	send(as{partner: &other, sign: true}, "1234567890").wantError(t, http.StatusOK, "FORBIDDEN", 21) // not bound

	r := send(signed, "1234567890").bankResult(t, "bankTransfer")
	if r.Status != "SUCCESS" || r.BankName != "Bank Mandiri" || r.TotalAmount != "202500" ||
		deref(r.BalanceBefore) != "500000" || deref(r.BalanceAfter) != "297500" || r.Transaction.Type != "BANK_TRANSFER" {
		t.Fatalf("bankTransfer = %+v", r)
	}
	// A retry with the same X-EXTERNAL-ID finds the transfer.
	again := send(signed, "1234567890").bankResult(t, "bankTransfer")
	if again.Transaction.ReffID != r.Transaction.ReffID {
		t.Fatalf("retry answered %s, want %s", again.Transaction.ReffID, r.Transaction.ReffID)
	}
	if got := f.balance(customer); got != "297500" {
		t.Fatalf("balance = %s, want 297500 (sent once)", got)
	}
	if got := f.transaction(as{partner: &p, sign: true}, r.Transaction.ReffID); got.Status != "SUCCESS" {
		t.Fatalf("transaction = %+v", got)
	}
}
