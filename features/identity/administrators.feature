Feature: Administrators
  Operators make administrators from the command line (`media-gateway grant-admin` and
  `revoke-admin`); no request to the service can. A change reaches the account's sessions at
  their next sign-in or refresh, and is written in the account's security log.

  Background:
    Given Ana has an account and is signed in

  Scenario: An operator makes Ana an administrator
    When an operator makes Ana an administrator
    Then the operator is told "ana@example.com is now an administrator (from its next sign-in or token refresh)"
    And Ana's current token still does not carry admin
    But after her next refresh her token carries admin
    And Ana's security log shows "admin_granted"

  Scenario: Revoking admin reaches Ana at her next refresh
    Given Ana is an administrator, signed in again
    When an operator revokes Ana's admin
    Then the operator is told "ana@example.com is no longer an administrator (from its next token refresh)"
    And after her next refresh her token does not carry admin
    And Ana's security log shows "admin_revoked"

  Scenario: Making an administrator twice changes nothing
    Given Ana is an administrator, signed in again
    When an operator makes Ana an administrator
    Then the operator is told "ana@example.com is already an administrator; nothing changed"
    And Ana's security log shows "admin_granted" once

  Scenario: An operator cannot make an administrator of an unknown email
    When an operator makes "bruno@example.com" an administrator
    Then the operator is told "No account has the email 'bruno@example.com'."
    And after her next refresh her token does not carry admin

  Scenario: Ana's admin key loses admin with her but keeps reading and writing
    Given Ana is an administrator, signed in again
    And Ana has an API key with the admin scope
    When an operator revokes Ana's admin
    Then the operator is told "ana@example.com is no longer an administrator (from its next token refresh); admin taken off 1 API key"
    And her key list shows the key with the scopes "read, write"
    And the key can still change Ana's display name
    And Ana's security log shows "api_key_scope_removed"

  Scenario: Nobody becomes an administrator by signing up or through the API
    Then Ana's profile shows the scopes "read, write"
    When Ana asks to change her own scopes to admin
    Then the request is refused
    And Ana's profile shows the scopes "read, write"
