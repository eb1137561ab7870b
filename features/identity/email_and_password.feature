Feature: Verified email and password reset
  Viewers prove the address they signed up with from the mail it receives, and get back into
  their account through that mailbox when they forget their password.

  Scenario: Ana verifies her email from the link in her mail
    Given Ana has just registered with "ana@example.com"
    And her profile says her email is not verified
    When Ana opens the link in the mail she received
    Then her profile says her email is verified
    And the link does not work a second time

  Scenario: Ana resets a forgotten password and her other devices are signed out
    Given Ana is signed in on her phone and on her TV
    When Ana says she forgot her password
    And she chooses "a brand new passphrase" from the link in her mail
    Then she signs in with "a brand new passphrase" but not with her old password
    And her phone and her TV are signed out
    And her security log shows the password was reset

  Scenario: Someone asks to reset a password for an address with no account and learns nothing
    Given Ana has an account
    When someone asks to reset the password of "nobody@example.com"
    And someone asks to reset the password of "ana@example.com"
    Then both get the same answer
    And no mail goes to "nobody@example.com"
