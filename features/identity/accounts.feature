Feature: Accounts and sessions
  Viewers create an account, stay signed in on their devices, and are protected
  when someone else tries to get in.

  Scenario: A new viewer creates an account and signs in
    When Ana registers with "ana@example.com" and the password "a long passphrase for ana"
    And Ana signs in with "ana@example.com" and "a long passphrase for ana"
    Then Ana sees her profile with the email "ana@example.com"

  Scenario: Changing the name others see
    Given Ana is signed in on her phone
    When Ana changes her display name to "Ana Maria"
    Then Ana sees her profile with the display name "Ana Maria"

  Scenario: Registering a taken email reveals nothing and changes nothing
    Given Ana has an account
    When someone registers "ANA@Example.com" again
    Then they get the same answer as anyone registering a new email
    And Ana still signs in with her own password, and not with theirs
    And Ana's security log shows that someone tried to register her email

  Scenario: One address cannot create accounts without limit
    When someone registers 10 accounts from one address within an hour
    Then the next registration from that address has to wait
    But a viewer registering from another address is welcome

  Scenario: A common password is refused
    When Bruno registers with the password "password123"
    Then he is told the password is too common

  Scenario: A failed sign-in does not reveal whether the account exists
    Given Ana has an account
    When someone signs in as Ana with a wrong password
    And someone signs in as "nobody@example.com"
    Then both are refused with the same answer

  Scenario: Guessing a password is slowed down
    Given Ana has an account
    When someone guesses Ana's password wrong 10 times
    Then even the right password is refused for now
    And after 15 minutes Ana can sign in again

  Scenario: Someone guessing from one address does not lock Ana out at home
    Given Ana has an account
    When someone guesses Ana's password wrong 10 times from one address
    Then that address is refused even the right password for now
    But Ana signs in from her home address at the same time

  Scenario: A stolen refresh token is detected and the session ended
    Given Ana is signed in on her phone
    And her phone has refreshed its session
    When an attacker uses the phone's old refresh token a minute later
    Then the attacker is refused
    And Ana's phone has to sign in again
    And the phone's access token no longer works

  Scenario: A refresh retried at once keeps the viewer signed in
    Given Ana is signed in on her phone
    And her phone has refreshed its session
    When her phone, having lost the answer, sends the same refresh again
    Then it gets the same new refresh token again
    And her phone stays signed in

  Scenario: Signing out ends the session
    Given Ana is signed in on her phone
    When Ana signs out on her phone
    Then Ana's phone has to sign in again
    And the phone's access token no longer works
