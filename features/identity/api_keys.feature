Feature: API keys
  Viewers connect scripts and home-automation gadgets with API keys: each shown once, limited
  to what it needs, revocable at once, and useless to anyone who finds a leaked copy.

  Background:
    Given Ana has an account and is signed in

  Scenario: A new key is shown once and listed masked
    When Ana creates a read-only key named "Living room widget"
    Then she sees the full key once
    And her key list shows it masked, with its name and scopes

  Scenario: A stolen access token is not enough to create a key
    When someone holding Ana's access token, but not her password, asks for a key
    Then they are told the password is wrong
    And Ana has no keys

  Scenario: Wrong passwords when creating keys count as failed sign-ins
    When someone holding Ana's access token guesses her password wrong 10 times asking for keys
    Then even the right password cannot create a key for now
    And Ana's sign-in with her password is refused for now too

  Scenario: A read-only key can read the profile but not change it
    Given Ana has a read-only key
    When the key reads Ana's profile
    Then the profile is returned
    When the key tries to change Ana's display name
    Then it is forbidden

  Scenario: A key cannot grant more than its owner holds
    When Ana asks for a key with the admin scope
    Then she is told she cannot grant a scope she does not hold

  Scenario: A key cannot manage keys or two-factor settings
    Given Ana has a key that can write
    When the key tries to create another key
    Then it is forbidden
    When the key tries to turn on two-factor authentication
    Then it is forbidden

  Scenario: Only Ana can revoke her keys
    Given Ana has a read-only key
    When Bruno, signed in to his own account, tries to revoke Ana's key
    Then he is told there is no such key
    And the key still reads Ana's profile

  Scenario: A revoked key stops working at once
    Given Ana has a read-only key
    When Ana revokes the key
    Then the key is refused

  Scenario: A key stops working when it expires
    Given Ana has a read-only key that expires in 1 day
    When 2 days pass
    Then the key is refused

  Scenario: Unknown, revoked and malformed keys all get the same answer
    Given Ana has a read-only key
    When Ana revokes the key
    Then a revoked key, an unknown key and a malformed key get the same answer

  Scenario: A valid key keeps working from an address that sent invalid ones
    Given Ana has a read-only key
    When someone at Ana's address sends 20 invalid keys
    Then their next invalid key has to wait
    But Ana's key still reads her profile from that address

  Scenario: A key over its rate limit is told when to retry
    Given Ana has a read-only key limited to 2 requests a minute
    When the key makes 3 requests within a minute
    Then the third is refused with a time to retry
    But a minute later the key works again

  Scenario: A leaked key reported by a secret scanner is revoked
    Given Ana has a read-only key
    When a secret scanner reports the key as leaked
    Then the key is refused
    And Ana's security log shows the key was leaked
