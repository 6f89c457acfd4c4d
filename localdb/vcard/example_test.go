package vcard_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"repdesk/localdb/vcard"
)

// The importer's loop: per-card errors are reported and skipped, a file
// that is not a vCard (or a read error) stops the import.
func ExampleNewReader() {
	input := "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:M\xfcller;J\xfcrgen\r\nTEL;WORK;VOICE:+49 89 1234567\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nothing usable\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Fischer\r\nEMAIL;TYPE=INTERNET,WORK,PREF:anna@example.com\r\nEND:VCARD\r\n"
	rd := vcard.NewReader(strings.NewReader(input))
	for {
		c, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ce *vcard.CardError
		if errors.As(err, &ce) {
			fmt.Println("contacts.vcf:", ce)
			continue
		}
		if err != nil {
			fmt.Println("contacts.vcf:", err)
			return
		}
		fmt.Printf("%d %s %v %v\n", c.Number, c.FullName, c.Phones, c.Emails)
	}
	var out strings.Builder
	if err := vcard.Write(&out, []vcard.Card{{FullName: "Anna Fischer", Birthday: "--03-12"}}, "4.0"); err != nil {
		fmt.Println(err)
	}
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n")) // CRLF in the file

	// Output:
	// 1 Jürgen Müller [{+49 89 1234567 work  false}] []
	// contacts.vcf: card 2 at line 6: card has no name, organization, e-mail address or phone number
	// 3 Anna Fischer [] [{anna@example.com work  true}]
	// BEGIN:VCARD
	// VERSION:4.0
	// FN:Anna Fischer
	// N:;;;;
	// BDAY:--0312
	// END:VCARD
}
